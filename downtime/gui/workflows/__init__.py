"""Ward workflows: one screen per user action, each a thin shell around one core call."""
