# Empty dependencies file for vid_core.
# This may be replaced when dependencies are built.
