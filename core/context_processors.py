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
