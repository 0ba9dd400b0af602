"""A register change that can move a target's value is announced here.

The registers sit below the targets in the layers (DESIGN.md, STYLE.md), so they cannot ask the
targets app to recompute; the targets app listens instead (targets.apps). The signal is sent
inside the write's transaction, so the listener's dirty mark is part of the same change and its
recompute is queued only once the change commits.
"""

from django.dispatch import Signal

# sent with register="enterprises" or register="projects"
register_changed = Signal()
