"""Invitations and members: an administrator invites by e-mail, the invitee accepts with the
mailed token, and administrators manage the roles of the people who accepted."""

from ..features import Feature
from .router import router
from .settings import Settings

__all__ = ["Settings", "feature"]

feature = Feature(routers=[router])
