"""Children's registry: one file per child (一人一档), roster import/export, quarterly review."""
