"""Bounces, complaints and unsubscribes reported by the e-mail provider
(anymail's tracking webhooks) stop the address's newsletters."""

from anymail.signals import EventType

from newsletters import subscriptions

STOPPING = {
    EventType.BOUNCED: "bounced",
    EventType.COMPLAINED: "complained",
    EventType.UNSUBSCRIBED: "unsubscribed",
    EventType.REJECTED: "rejected",
}


def tracking_event(sender, event, esp_name, **kwargs):
    reason = STOPPING.get(event.event_type)
    if reason and event.recipient:
        subscriptions.suppress(event.recipient, f"{esp_name}: {reason}")
