# Run by `make demo` inside `odoo shell`: build and generate a deposit from
# the demo passages that are ready, then say what was done.
Passage = env["accrochage.passage"]  # noqa: F821 (odoo shell provides env)
ready = Passage.search([("state", "=", "ready"), ("pending_deposit_id", "=", False)])
if ready:
    deposits = env["accrochage.deposit"]._create_from_passages(ready)  # noqa: F821
    deposits._generate()
    env.cr.commit()  # noqa: F821
    for deposit in deposits:
        print(
            f"Dépôt {deposit.name} : {deposit.passage_count} passage(s), "
            f"{deposit.file_count} fichier(s) XML, état « {deposit.state} »."
        )
else:
    print("Aucun passage prêt : le dépôt de démonstration existe déjà.")
todo = Passage.search_count([("state", "in", ("incomplete", "rejected"))])
print(f"{todo} passage(s) à corriger (menu Certifications › À corriger).")
