"""Django's own messages whose Indonesian translation is wrong, translated again in this app's
catalogue (``core/locale/id``): an app's catalogue takes precedence over Django's.

``gettext_noop`` only marks each message for ``make messages`` (which drops catalogue entries no
source names); Django translates it where it raises the error.

* ``%(model_name)s with this %(field_labels)s already exists.`` — Django 5.2's ``id`` catalogue
  says "… ini tidak ada" ("does not exist"): every duplicate of a multi-field unique rule (a
  subsystem code within its member, an SPBE application code within its agency) told the officer
  the opposite of the problem.
"""

from django.utils.translation import gettext_noop

FIXED = [
    gettext_noop("%(model_name)s with this %(field_labels)s already exists."),
]
