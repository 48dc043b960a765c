"""``{{ event|event_label }}``: a job timeline line's name in the reader's language.

A timeline line is stored with a short English name ("submitted", "polled") and an English
sentence; the page shows the name as a word people read, never the stored key.
"""

from django import template
from django.utils.text import capfirst
from django.utils.translation import pgettext_lazy

from generation.models import Job

register = template.Library()

# The names generation.ending.event_add is called with, besides the statuses a job ends in.
NAMES = {
    "submitted": pgettext_lazy("job timeline", "Submitted"),
    "started": pgettext_lazy("job timeline", "Started"),
    "restarted": pgettext_lazy("job timeline", "Restarted"),
    "retrying": pgettext_lazy("job timeline", "Retrying"),
    "provider": pgettext_lazy("job timeline", "Provider"),
    "polled": pgettext_lazy("job timeline", "Checked"),
    "withheld": pgettext_lazy("job timeline", "Withheld"),
    "completed": pgettext_lazy("job timeline", "Completed"),
}


@register.filter
def event_label(event) -> str:
    name = event.name
    if name in NAMES:
        return str(NAMES[name])
    if name in Job.Status.values:
        return str(Job.Status(name).label)
    return capfirst(name.replace("_", " "))
