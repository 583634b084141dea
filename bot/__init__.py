"""Lotse: a multilingual help-navigation bot for the KI Kreis Recklinghausen."""
