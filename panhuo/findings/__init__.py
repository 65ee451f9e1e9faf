"""The auditor's workspace: the queue of open red flags, findings raised on any record with
their evidence, resolution and escalation, and statistics. Nothing here changes the audited
records."""
