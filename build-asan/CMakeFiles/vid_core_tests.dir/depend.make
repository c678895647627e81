# Empty dependencies file for vid_core_tests.
# This may be replaced when dependencies are built.
