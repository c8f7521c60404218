"""帮扶计划: a study help plan for a child — goals, helper, times, content, milestones — reviewed
in the helper's talks with the child (each review may name the talk it was made in)."""
