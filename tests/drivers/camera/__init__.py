"""Tests of the camera driver."""
