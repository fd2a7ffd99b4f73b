import logging

from django.core.exceptions import ValidationError
from django.db import models

from . import crypto

logger = logging.getLogger(__name__)

TAMPERED_DISPLAY = "【数据校验失败】"


class EncryptedCharField(models.TextField):
    """A sensitive value encrypted at rest; `hash_field` names a sibling CharField kept as its keyed hash.

    `mask` is the kind of masking used on screen and in exports ("id_number" or "phone").
    `normalize` turns user input into the canonical form that is hashed and stored.
    """

    def __init__(self, *args, hash_field=None, mask="id_number", normalize=None, **kwargs):
        self.hash_field = hash_field
        self.mask = mask
        self.normalize = normalize
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["hash_field"] = self.hash_field
        kwargs["mask"] = self.mask
        kwargs.pop("default", None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        try:
            return crypto.decrypt(value)
        except crypto.TamperedValue:
            logger.error("Encrypted value failed authentication in %s", self.model._meta.label)
            return TAMPERED_DISPLAY

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname) or ""
        if self.normalize and value:
            value = self.normalize(value)
            setattr(model_instance, self.attname, value)
        if self.hash_field:
            setattr(model_instance, self.hash_field, crypto.keyed_hash(value) if value else "")
        return value

    def validate(self, value, model_instance):
        # A value that failed authentication is shown as a marker; saving the marker would bury the evidence.
        if value == TAMPERED_DISPLAY:
            raise ValidationError(f"{self.verbose_name}的存储数据校验失败，请核实后重新填写。", code="tampered")
        super().validate(value, model_instance)

    def masked(self, value):
        if value == TAMPERED_DISPLAY:
            return value  # the marker itself, not a masked fragment of it
        return crypto.MASKERS[self.mask](value)
