"""`rosgit graph OVERLAY`: the stack as a picture. `model` reads a built overlay into tiers of components, the
flows its NetworkPolicies allow and its published endpoints; `render` writes Mermaid, DOT or SVG (Graphviz)."""

from rosgit.graph.model import Edge, Graph, Node, build_graph
from rosgit.graph.render import FORMATS, render_graph

__all__ = ["FORMATS", "Edge", "Graph", "Node", "build_graph", "render_graph"]
