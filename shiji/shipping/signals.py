"""The one hook shipping offers other domains.

``shipment_delivered`` is sent when a shipment first becomes ``delivered`` — exactly once per
shipment — inside the transaction that records the carrier's event, so a receiver's writes
(the order moving to ``delivered``) commit or roll back with it. Arguments: ``sender`` (the
``Shipment`` class), ``shipment``, ``order_id`` (str) and ``at`` (the carrier's aware datetime).

A receiver that raises rolls the event back: the webhook answers with an error and the carrier
retries, so a receiver must not raise for states it can expect (e.g. an order already refunded).
"""

from django.dispatch import Signal

shipment_delivered = Signal()
