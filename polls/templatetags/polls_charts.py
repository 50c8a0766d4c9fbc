from django import template

from polls.flowchart import FlowChart, flow_chart
from polls.results import Flow

register = template.Library()


@register.simple_tag
def changes_chart(flows: tuple[Flow, ...]) -> FlowChart | None:
    """`{% changes_chart results.flows as chart %}`: the flow chart's geometry (or None)."""
    return flow_chart(flows)
