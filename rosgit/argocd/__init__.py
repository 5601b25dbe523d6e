"""Argo CD delivery: AppProjects, one Application per overlay, app-of-apps roots, ApplicationSets, checks."""
