"""Who may do what with the plan as data: the one copy of these rules (DESIGN.md §1).

The plan is public to every user with a role. Its content (plans, items, responsible units and
which units an item names) comes from the plan file alone: it changes by loading the file again
(`load_action_plan`), audited row by row, never by hand, so the database and the file cannot
drift apart.
"""

from __future__ import annotations

from zjai.roles import has_a_role


def may_read_plans(user) -> bool:
    return has_a_role(user)


def may_change_plans(user) -> bool:
    """Nobody, by hand: the plan file is the source (reload it to change the plan)."""
    return False
