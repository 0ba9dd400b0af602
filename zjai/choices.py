"""Choices shared by several apps: Zhejiang's cities and the plan's sectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class City(models.TextChoices):
    """Zhejiang's 11 prefecture-level cities: the only cities a register entry may name."""

    HANGZHOU = "hangzhou", _("Hangzhou")
    NINGBO = "ningbo", _("Ningbo")
    WENZHOU = "wenzhou", _("Wenzhou")
    JIAXING = "jiaxing", _("Jiaxing")
    HUZHOU = "huzhou", _("Huzhou")
    SHAOXING = "shaoxing", _("Shaoxing")
    JINHUA = "jinhua", _("Jinhua")
    QUZHOU = "quzhou", _("Quzhou")
    ZHOUSHAN = "zhoushan", _("Zhoushan")
    TAIZHOU = "taizhou", _("Taizhou")
    LISHUI = "lishui", _("Lishui")


class Sector(models.TextChoices):
    """The fields the plan names for AI enterprises and projects."""

    SECURITY = "security", _("Smart security")
    ROBOTS = "robots", _("Smart robots")
    COMPONENTS = "components", _("Smart key components")
    WEARABLES = "wearables", _("Wearable devices")
    VR = "vr", _("Virtual reality")
    DRONES = "drones", _("Drones")
    RECOGNITION = "recognition", _("Voice/image recognition")
    SMART_HOME = "smart_home", _("Smart home")
    CHIPS = "chips", _("Smart chips")
    SOFTWARE = "software", _("Intelligent software")
    VEHICLES = "vehicles", _("Intelligent connected vehicles")
    MANUFACTURING = "manufacturing", _("Intelligent manufacturing")
    FINANCE = "finance", _("Smart finance")
    LOGISTICS = "logistics", _("Smart logistics")
    HEALTHCARE = "healthcare", _("Smart healthcare")
    OTHER = "other", _("Other")
