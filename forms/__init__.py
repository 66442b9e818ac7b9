"""Printed forms: declarative specs (forms/specs/*.toml) rendered to bilingual PDFs with Code128 and QR codes.

Entry point: ``forms.render`` (render_form, render_blank, render_blank_pack, render_pack). The core
(``downtime``) never imports this package; this package reads the core's entry-kind schemas.
"""
