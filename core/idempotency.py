"""Create forms that survive a dropped network: a submission sent twice makes one record.

Each render of a create form carries a fresh key (a UUID made here, in the hidden field `idempotency_key`); the
browser keeps it in the offline draft with the other fields (static/js/drafts.js) and resends it unchanged. The
first submission that creates the record stores the key with it (core.IdempotencyKey, same transaction); a
later one with the same key from the same user redirects to that record and creates nothing. Keys are the
user's own: another user's key matches nothing of theirs, and a known key never reaches a record outside the
sender's scope.

A form opts in by mixing `IdempotentCreateMixin` into its `core.views.ObjectEditView` and including
"core/includes/offline_draft.html" inside its <form> (the key field, the draft banner and the `data-` hooks).
"""

import uuid

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

from .models import IdempotencyKey
from .views import url_name

FIELD = "idempotency_key"
# Sent by static/js/drafts.js: the answer to a successful draft submission is {"location": url} instead of a
# redirect, so the browser opens the record itself and the "saved" message is shown there, not swallowed by fetch.
DRAFT_HEADER = "X-Offline-Draft"


def posted_key(request):
    """The UUID posted in the key field, or None (absent or not a UUID: the form then works without one)."""
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


class IdempotentCreateMixin:
    """For an ObjectEditView: creating twice with one key makes one record (see the module docstring)."""

    def post(self, request, *args, **kwargs):
        key = posted_key(request) if self.action == "add" else None
        if key is not None:
            done = IdempotencyKey.objects.filter(user=request.user, key=key).first()
            if done is not None:
                return self.answer(self.already_done(done))
        return self.answer(super().post(request, *args, **kwargs))

    def form_valid(self, form, **kwargs):
        """`kwargs` (e.g. ObjectEditView's `after_save`) go on: related rows share the record's transaction, so a
        duplicate rolled back here leaves none of them behind."""
        key = posted_key(self.request) if self.action == "add" else None
        if key is None:
            return super().form_valid(form, **kwargs)
        duplicate = False
        with transaction.atomic():
            response = super().form_valid(form, **kwargs)
            if isinstance(response, HttpResponseRedirect) and self.object.pk is not None:
                try:
                    with transaction.atomic():
                        IdempotencyKey.objects.create(user=self.request.user, key=key, object_id=self.object.pk,
                                                      content_type=ContentType.objects.get_for_model(self.model))
                except IntegrityError:
                    # The same submission, sent twice at once, was saved by the other request: undo this copy.
                    duplicate = True
                    transaction.set_rollback(True)
        if duplicate:
            done = IdempotencyKey.objects.get(user=self.request.user, key=key)
            list(messages.get_messages(self.request))  # drop the "saved" messages of the rolled-back copy
            return self.already_done(done)
        return response

    def already_done(self, done):
        obj = None
        if done.content_type_id == ContentType.objects.get_for_model(self.model).pk:
            obj = self.model.objects.visible_to(self.request.user).filter(pk=done.object_id).first()
        if obj is None:
            messages.warning(self.request, f"这份{self.model._meta.verbose_name}此前已提交过，未重复保存。")
            return HttpResponseRedirect(reverse(url_name(self.model, "list")))
        messages.info(self.request, f"这份{self.model._meta.verbose_name}此前已提交并保存，未重复保存。")
        self.object = obj
        return HttpResponseRedirect(self.get_success_url())

    def answer(self, response):
        """A redirect after a draft sent by fetch becomes {"location": url} (see DRAFT_HEADER)."""
        if isinstance(response, HttpResponseRedirect) and self.request.headers.get(DRAFT_HEADER):
            return JsonResponse({"location": response.url})
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.action == "add":
            # A form shown again with errors keeps the key it was sent with: it is still the same submission.
            key = posted_key(self.request) if self.request.method == "POST" else None
            context[FIELD] = key or uuid.uuid4()
        return context
