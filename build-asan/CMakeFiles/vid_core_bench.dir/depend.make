# Empty dependencies file for vid_core_bench.
# This may be replaced when dependencies are built.
