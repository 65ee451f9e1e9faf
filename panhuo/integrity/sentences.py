"""What each audited action says, as a sentence in the reader's language.

An action code is ``<object>.<verb>`` (``project.list``, ``deposit.forfeit``). A sentence is
looked up by the whole code first, then by its verb, so a new action of an existing verb reads
well without an entry here; an unknown verb still reads as a sentence, naming the action.

Placeholders: ``actor`` (the person's name), ``kind`` (the object's kind, e.g. "disposal
project"), ``object`` (its name or code), and any field of the object after the write (its
value formatted as the pages show it: names not ids, labels not codes, amounts in the reader's
unit with it named). A sentence whose field is missing from the entry falls back to the verb's.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: Whole action codes whose sentence names a figure of the write.
BY_ACTION = {
    "project.conclude": _("%(actor)s concluded %(object)s at a deal price of %(deal_price)s"),
    "project.list": _("%(actor)s listed %(object)s at a reserve of %(reserve_price)s"),
    "project.relist": _("%(actor)s relisted %(object)s at a reserve of %(reserve_price)s"),
    "project.confirm_payment": _("%(actor)s confirmed the buyer's payment for %(object)s"),
    "project.publish_result": _("%(actor)s published the result notice of %(object)s"),
    "receipt.create": _("%(actor)s recorded receipt %(object)s of %(amount)s"),
    "allocation.create": _(
        "%(actor)s applied %(amount)s of receipt %(receipt)s to the debt %(debt)s"
    ),
    "allocation.reverse": _("%(actor)s reversed the allocation %(object)s"),
    "repayment.create": _("%(actor)s recorded a repayment of %(amount)s on %(debt)s"),
    "deposit.receive": _("%(actor)s received a deposit of %(amount)s from %(bidder)s"),
    "valuation.create": _("%(actor)s recorded a valuation of %(value)s for %(asset)s"),
    "asset.status": _("%(actor)s changed the status of %(object)s to %(status)s"),
    "asset.appraised_value": _(
        "%(actor)s set the appraised value of %(object)s to %(appraised_value)s"
    ),
    "debt.outstanding": _("%(actor)s set the outstanding amount of %(object)s to %(outstanding)s"),
    "lot.award": _("%(actor)s awarded lot %(object)s"),
    "lot.bid": _("%(actor)s bid on lot %(object)s"),
    "lot.extend": _("The soft close extended lot %(object)s"),
    "notice.listing": _("%(actor)s published the listing notice %(object)s"),
    "notice.result": _("%(actor)s published the result notice %(object)s"),
    "notice.revise": _("%(actor)s revised the notice %(object)s"),
    "document.upload": _("%(actor)s uploaded the document %(object)s"),
    "user.set_language": _("%(actor)s changed the language of %(object)s"),
    "user.set_money_unit": _("%(actor)s changed the money unit of %(object)s"),
    "user.password_change": _("%(actor)s changed the password of %(object)s"),
    "user.password_reset": _("%(actor)s reset the password of %(object)s"),
}

#: Verbs (the code's last part): what the actor did to an object of a kind.
BY_VERB = {
    "create": _("%(actor)s created the %(kind)s %(object)s"),
    "import_create": _("%(actor)s imported the %(kind)s %(object)s"),
    "import_update": _("%(actor)s updated the %(kind)s %(object)s by import"),
    "import_batch": _(
        "%(actor)s imported a batch of %(rows)s rows, each row's digest kept in this entry "
        "(Merkle root %(root)s)"
    ),
    "import_revert": _("%(actor)s undid the import of the %(kind)s %(object)s"),
    "import_reserve": _("%(actor)s imported the reserve of the %(kind)s %(object)s"),
    "update": _("%(actor)s edited the %(kind)s %(object)s"),
    "edit": _("%(actor)s edited the %(kind)s %(object)s"),
    "set": _("%(actor)s set the %(kind)s %(object)s"),
    "save": _("%(actor)s saved the %(kind)s %(object)s"),
    "delete": _("%(actor)s deleted the %(kind)s %(object)s"),
    "void": _("%(actor)s voided the %(kind)s %(object)s"),
    "status": _("%(actor)s changed the status of the %(kind)s %(object)s"),
    "touch": _("%(actor)s confirmed the %(kind)s %(object)s unchanged"),
    "submit": _("%(actor)s submitted the %(kind)s %(object)s for approval"),
    "request": _("%(actor)s asked for approval of %(object)s"),
    "approve": _("%(actor)s approved the %(kind)s %(object)s"),
    "reject": _("%(actor)s rejected the %(kind)s %(object)s"),
    "withdraw": _("%(actor)s withdrew the %(kind)s %(object)s"),
    "withdrawn": _("%(actor)s withdrew the %(kind)s %(object)s"),
    "list": _("%(actor)s listed the %(kind)s %(object)s"),
    "relist": _("%(actor)s relisted the %(kind)s %(object)s"),
    "sign": _("%(actor)s recorded the contract of the %(kind)s %(object)s"),
    "close": _("%(actor)s closed the %(kind)s %(object)s"),
    "end": _("%(actor)s ended the %(kind)s %(object)s"),
    "conclude": _("%(actor)s concluded the %(kind)s %(object)s"),
    "transfer": _("%(actor)s recorded the transfer of the %(kind)s %(object)s"),
    "hand_over": _("%(actor)s recorded the hand-over of the %(kind)s %(object)s"),
    "scrap": _("%(actor)s scrapped the %(kind)s %(object)s"),
    "record_loss": _("%(actor)s recorded the loss of the %(kind)s %(object)s"),
    "backdate": _("%(actor)s back-dated the %(kind)s %(object)s"),
    "flag_arrears": _("%(actor)s flagged arrears on the %(kind)s %(object)s"),
    "agree_swap": _("%(actor)s agreed the swap of the %(kind)s %(object)s"),
    "execute_swap": _("%(actor)s carried out the swap of the %(kind)s %(object)s"),
    "publish": _("%(actor)s published the %(kind)s %(object)s"),
    "revise": _("%(actor)s revised the %(kind)s %(object)s"),
    "upload": _("%(actor)s uploaded the %(kind)s %(object)s"),
    "register": _("%(actor)s registered the %(kind)s %(object)s"),
    "signup": _("%(actor)s signed up as %(object)s"),
    "verify": _("%(actor)s verified the %(kind)s %(object)s"),
    "suspend": _("%(actor)s suspended the %(kind)s %(object)s"),
    "award": _("%(actor)s awarded the %(kind)s %(object)s"),
    "open": _("%(actor)s opened the %(kind)s %(object)s"),
    "fail": _("%(actor)s declared the %(kind)s %(object)s failed"),
    "match": _("%(actor)s recorded a priority-right match on the %(kind)s %(object)s"),
    "due": _("%(actor)s asked for the %(kind)s %(object)s"),
    "declare_paid": _("%(actor)s declared the %(kind)s %(object)s paid"),
    "receive": _("%(actor)s received the %(kind)s %(object)s"),
    "refund": _("%(actor)s refunded the %(kind)s %(object)s"),
    "forfeit": _("%(actor)s forfeited the %(kind)s %(object)s"),
    "apply": _("%(actor)s applied the %(kind)s %(object)s to the price"),
    "reverse": _("%(actor)s reversed the %(kind)s %(object)s"),
    "allocated": _("%(actor)s allocated the %(kind)s %(object)s"),
    "dispose": _("%(actor)s recorded the disposal of the %(kind)s %(object)s"),
    "add_assets": _("%(actor)s added assets to the %(kind)s %(object)s"),
    "remove_asset": _("%(actor)s removed an asset from the %(kind)s %(object)s"),
    "decide": _("%(actor)s decided the %(kind)s %(object)s"),
    "load": _("%(actor)s loaded the %(kind)s %(object)s"),
    "train": _("%(actor)s trained the %(kind)s %(object)s"),
    "revoke": _("%(actor)s revoked the %(kind)s %(object)s"),
    "deactivate": _("%(actor)s deactivated the %(kind)s %(object)s"),
    "reactivate": _("%(actor)s reactivated the %(kind)s %(object)s"),
    "leave": _("%(actor)s recorded that %(object)s left the task force"),
    "change_position": _("%(actor)s changed the position of %(object)s"),
    "relation_add": _("%(actor)s declared a relation of the %(kind)s %(object)s"),
    "relation_remove": _("%(actor)s removed a relation of the %(kind)s %(object)s"),
    "encumbrance_add": _("%(actor)s recorded an encumbrance on the %(kind)s %(object)s"),
    "encumbrance_remove": _("%(actor)s released an encumbrance on the %(kind)s %(object)s"),
    "priority_holder": _("%(actor)s named a priority-right holder of the %(kind)s %(object)s"),
    "security_create": _("%(actor)s recorded a security for the %(kind)s %(object)s"),
    "security_delete": _("%(actor)s deleted a security of the %(kind)s %(object)s"),
    "security_release": _("%(actor)s released a security of the %(kind)s %(object)s"),
    "settle_non_cash": _("%(actor)s settled the %(kind)s %(object)s other than in cash"),
    "schedule_set": _("%(actor)s set the repayment schedule of the %(kind)s %(object)s"),
    "rules_update": _("%(actor)s changed the rules of the %(kind)s %(object)s"),
    "clear": _("%(actor)s cleared the %(kind)s %(object)s"),
    "day_set": _("%(actor)s set a day of the %(kind)s %(object)s"),
    "day_delete": _("%(actor)s removed a day of the %(kind)s %(object)s"),
    "notice_load": _("%(actor)s loaded the holiday notice into the %(kind)s %(object)s"),
    "notice_delete": _("%(actor)s removed a holiday notice from the %(kind)s %(object)s"),
    "restore": _("%(actor)s restored the %(kind)s %(object)s from a backup"),
    "restore_unsigned": _("%(actor)s restored the %(kind)s %(object)s from an unsigned backup"),
    "import": _("%(actor)s imported the %(kind)s %(object)s"),
}

#: An action whose verb is not above.
OTHER = _("%(actor)s: %(action)s on the %(kind)s %(object)s")

#: Appended when the write changed the object's status and the sentence does not say so.
STATUS_CHANGE = _("%(sentence)s (status: %(before)s → %(after)s)")

#: Who wrote an entry that no person made (commands, the seed, scheduled tasks).
SYSTEM = _("The system")
