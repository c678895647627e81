file(REMOVE_RECURSE
  "libvid_core.a"
)
