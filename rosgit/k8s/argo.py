"""Argo CD sync waves: config and secrets, then data services, setup Jobs, migrations, apps, then the edge."""

from __future__ import annotations

from rosgit.catalog.model import Component

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"
HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"

# Argo CD runs the hook phases of one sync in this order; waves order resources within a phase.
PHASES = {"PreSync": 0, "Sync": 1, "PostSync": 2}

WAVE_CONFIG = -20
WAVE_DATA = -10
WAVE_SETUP = -5
WAVE_MIGRATION = 0
WAVE_APP = 10
WAVE_EDGE = 20

_PHASE_WAVES = {"data": WAVE_DATA, "setup": WAVE_SETUP, "migration": WAVE_MIGRATION, "app": WAVE_APP}


def component_wave(component: Component) -> int:
    return _PHASE_WAVES[component.phase]


def wave_annotation(wave: int) -> dict[str, str]:
    return {SYNC_WAVE: str(wave)}


def job_hook_annotations(component: Component) -> dict[str, str]:
    """Jobs are immutable once created, so they run as Sync-phase hooks recreated on every sync.

    Sync (not PreSync) keeps them ordered by wave after the databases they need; PreSync hooks would run
    before any database exists on a first install and never finish.
    """
    return {
        SYNC_WAVE: str(component_wave(component)),
        HOOK: "Sync",
        HOOK_DELETE_POLICY: "BeforeHookCreation",
    }
