from .selectors import unread_count


def notifications(request):
    """The unread count in the top bar."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
