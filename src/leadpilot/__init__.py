"""LeadPilot: a self-hostable Lead Activation System."""

__version__ = "0.1.0"
