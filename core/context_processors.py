from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menu = menu_for(user)
    current = request.path
    active = ""
    # The longest matching prefix marks the active item, so /org/units/ does not also light /org/.
    for _, items in menu:
        for item in items:
            if current.startswith(item.url) and len(item.url) > len(active):
                active = item.url
    return {"menu": menu, "active_menu_url": active}


def notifications(request):
    """The unread notification count for the bell in the top bar: one small query (at most 100 ids from an
    index; the badge says "99+" beyond), made only when a page shows the bell."""
    from django.utils.functional import SimpleLazyObject

    from .notifications import BADGE_CAP, unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user, cap=BADGE_CAP))}
