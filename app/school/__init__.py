"""The school's workspace: its own pupils, their teacher proxy parents, classes, the contact book
of parents and guardians and the school's own care cadence (seed 003 岚皋: "學校有總賬、班級有明細、
教職工有幫扶記錄"). Everything here is scoped to the school of the logged-in staff member."""
