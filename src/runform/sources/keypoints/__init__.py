"""Keypoints from other pose tools (a folder of OpenPose BODY_25 JSON files) as a source."""
