"""The benchmark's baseline: decode every frame with OpenCV and run the same MediaPipe model
in one loop, nothing else. Usage: python baseline_pose_loop.py VIDEO"""

import sys

import cv2
import mediapipe as mp

cap = cv2.VideoCapture(sys.argv[1])
n = 0
with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        n += 1
print(n)
