# Run by `make demo` inside `odoo shell` (which provides `env`): close the demo
# sessions that are still open (the automation rule turns their admitted
# attendees into passages), then build a deposit from the ready passages.
# Running it again changes nothing more.
# ruff: noqa: F821
# the demo speaks French, as a certifier's Odoo would
if env["res.lang"]._lang_get("fr_FR"):
    env.ref("base.user_admin").lang = "fr_FR"
end_stage = env["event.stage"].search([("pipe_end", "=", True)], limit=1)
sessions = env["event.event"].search(
    [("accrochage_certification_id", "!=", False), ("stage_id.pipe_end", "=", False)]
)
if sessions and end_stage:
    sessions.write({"stage_id": end_stage.id})
    print(f"{len(sessions)} session(s) clôturée(s) : {', '.join(sessions.mapped('name'))}.")
ready = env["accrochage.passage"].search(
    [("state", "=", "ready"), ("pending_deposit_id", "=", False)]
)
if ready:
    deposits = env["accrochage.deposit"]._create_from_passages(ready)
    deposits._generate()
    # the state's label as the French user reads it, not its code
    labels = dict(
        deposits._fields["state"]._description_selection(deposits.with_context(lang="fr_FR").env)
    )
    for deposit in deposits:
        print(
            f"Dépôt {deposit.name} : {deposit.passage_count} passage(s), "
            f"{deposit.file_count} fichier(s) XML, état « {labels[deposit.state]} »."
        )
else:
    print("Aucun nouveau passage prêt : les dépôts ont déjà été construits.")
env.cr.commit()
todo = env["accrochage.passage"].search_count([("state", "in", ("incomplete", "rejected"))])
print(f"{todo} passage(s) à corriger (menu Événements › Certifications › À corriger).")
