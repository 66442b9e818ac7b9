"""Write-back to the HMIS: the workspace's records as FHIR R4 bundles, HL7 v2.5 messages, or CSV files.

``records.current_records`` turns the imported entries into records as they stand (corrections applied,
voids dropped), grouped by patient with the records office's match decisions ``{downtime_id: (decision,
uhid)}``. Each adapter has one call for ``reconcile post``; each returns a ``post_state.PostReport``:

    fhir.post_fhir(ws, decisions, *, url=None, out=None, uhid_system=None, headers=None, timeout=60.0, retry=...)
    hl7v2.write_hl7(ws, decisions, out, *, settings=None)
    hl7v2.send_hl7(ws, decisions, host, port, *, settings=None, timeout=30.0, retry=...)
    csv_out.write_csv(ws, decisions, out)

Sending resumes: what the receiver acknowledged is kept in the workspace (``post_state.PostLog``), and a
run sends only what has no acknowledgement. Files written to a folder are logged there too, as handed over
(never taken for acknowledgements), so the reconciliation report counts their records as posted.
``fhir.settings_for`` and ``hl7v2.settings_for`` take the HMIS's UHID identifier system and assigning authority.
"""
