"""Lab motion capture as a source: marker sets -> keypoints, pelvis in 3D, force-plate events."""
