"""Printed forms: declarative specs (forms/specs/*.toml) rendered to bilingual PDFs with Code128 and QR codes.

Entry points: ``forms.render`` (render_form, render_blank, render_blank_pack, render_pack, render_sheet),
``forms.printing`` (print_entry, print_blank_pack: PDF, print queue, audit entry) and ``forms.census``
(print_census, print_patient_summary: sheets from the snapshot). The core (``downtime``) never imports this
package; this package reads the core's entry-kind schemas and the snapshot viewer.
"""
