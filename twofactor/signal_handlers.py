from twofactor import policy, throttle


def password_step_done(sender, request, user, **kwargs):
    """``user_logged_in``: a login that owes no second factor is complete
    now; one that does is complete at the second step (``twofactor.views``)."""
    if request is not None and not policy.is_due(user):
        throttle.signed_in(request, user)
