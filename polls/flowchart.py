"""The geometry of the "minds changed" flow chart: where each band of changed votes goes.

Numbers only: polls/_results_changes.html draws the SVG from them (templates are the one
source of markup), and the table beside it says the same in words.
"""

from dataclasses import dataclass

from polls.results import Flow

WIDTH = 640
LEFT_X = 230  # the "from" column's bars
RIGHT_X = 398  # the "to" column's bars
BAR = 12
GAP = 10  # between two bars of one column
UNIT_MAX = 40  # the most height one change can take
SPAN = 220  # the height the bars of the fuller column share at most
LABEL_CHARS = 30


@dataclass(frozen=True)
class Node:
    label: str
    changes: int
    y: float
    height: float

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Band:
    path: str
    changes: int
    shade: int  # which colour of the palette (by "from" node)


@dataclass(frozen=True)
class FlowChart:
    sources: tuple[Node, ...]
    targets: tuple[Node, ...]
    bands: tuple[Band, ...]
    height: float
    width: int = WIDTH
    left_x: int = LEFT_X
    right_x: int = RIGHT_X
    bar: int = BAR


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _column(totals: dict[str, int], unit: float) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    y = 8.0
    for label, changes in totals.items():
        height = max(4.0, changes * unit)
        nodes[label] = Node(label=_short(label), changes=changes, y=y, height=height)
        y += height + GAP
    return nodes


def flow_chart(flows: tuple[Flow, ...]) -> FlowChart | None:
    """The chart for these flows, or None when there is nothing to draw."""
    if not flows:
        return None
    sources: dict[str, int] = {}
    targets: dict[str, int] = {}
    for flow in flows:
        sources[flow.source] = sources.get(flow.source, 0) + flow.changes
        targets[flow.target] = targets.get(flow.target, 0) + flow.changes
    fuller = max(sum(sources.values()), sum(targets.values()))
    unit = min(UNIT_MAX, SPAN / fuller)
    left, right = _column(sources, unit), _column(targets, unit)
    used_left = {label: 0.0 for label in left}
    used_right = {label: 0.0 for label in right}
    shades = {label: index % 6 for index, label in enumerate(left)}
    bands = []
    x0, x1 = LEFT_X + BAR, RIGHT_X
    middle = (x0 + x1) / 2
    for flow in flows:
        a, b = left[flow.source], right[flow.target]
        thick = a.height * flow.changes / a.changes
        ya, yb = a.y + used_left[flow.source], b.y + used_right[flow.target]
        thick_b = b.height * flow.changes / b.changes
        used_left[flow.source] += thick
        used_right[flow.target] += thick_b
        path = (
            f"M{x0},{ya:.1f} C{middle:.1f},{ya:.1f} {middle:.1f},{yb:.1f} {x1},{yb:.1f} "
            f"L{x1},{yb + thick_b:.1f} C{middle:.1f},{yb + thick_b:.1f} {middle:.1f},"
            f"{ya + thick:.1f} {x0},{ya + thick:.1f} Z"
        )
        bands.append(Band(path=path, changes=flow.changes, shade=shades[flow.source]))
    bottom = max(n.y + n.height for n in [*left.values(), *right.values()])
    return FlowChart(
        sources=tuple(left.values()),
        targets=tuple(right.values()),
        bands=tuple(bands),
        height=round(bottom + 8),
    )
