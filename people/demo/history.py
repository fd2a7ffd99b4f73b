"""The initial history rows of the demo people, copied inside the database."""

from django.db import connection

from ..models import Person


def copy_initial_history(pks, when, reason, chunk=900):
    """The initial history row ("+") of each new person, with the categories it was created with.

    It is what simple_history records when a person is saved and its categories set, in one row; copied
    inside the database (INSERT … SELECT: the encrypted columns are copied as they are) because building
    22,000 historical instances in Python (`bulk_history_create`) takes as long as the people themselves.
    """
    history = Person.history.model
    links = history.categories.model
    through = Person.categories.through
    quote = connection.ops.quote_name
    tracked = [(quote(history._meta.get_field(f.name).column), quote(f.column)) for f in history.tracked_fields]
    columns = ", ".join(target for target, _ in tracked)
    sources = ", ".join(f"p.{source}" for _, source in tracked)
    date = connection.ops.adapt_datetimefield_value(when)
    # Table and column names come from the models' metadata, values are parameters.
    copy_people = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
        f"history_type, history_user_id) SELECT {sources}, %s, %s, '+', NULL "
        f"FROM {quote(Person._meta.db_table)} p WHERE p.id IN ({{}})"
    )
    copy_links = (
        f"INSERT INTO {quote(links._meta.db_table)} (id, person_id, category_id, history_id) "  # noqa: S608
        f"SELECT t.id, t.person_id, t.category_id, h.history_id FROM {quote(through._meta.db_table)} t "
        f"JOIN {quote(history._meta.db_table)} h ON h.id = t.person_id WHERE t.person_id IN ({{}})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), chunk):
            ids = pks[start:start + chunk]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(copy_people.format(marks), [date, reason, *ids])
            cursor.execute(copy_links.format(marks), ids)
