file(REMOVE_RECURSE
  "CMakeFiles/vid_core.dir/src/core/generator.cpp.o"
  "CMakeFiles/vid_core.dir/src/core/generator.cpp.o.d"
  "CMakeFiles/vid_core.dir/src/core/random.cpp.o"
  "CMakeFiles/vid_core.dir/src/core/random.cpp.o.d"
  "CMakeFiles/vid_core.dir/src/core/rules.cpp.o"
  "CMakeFiles/vid_core.dir/src/core/rules.cpp.o.d"
  "CMakeFiles/vid_core.dir/src/core/verhoeff.cpp.o"
  "CMakeFiles/vid_core.dir/src/core/verhoeff.cpp.o.d"
  "libvid_core.a"
  "libvid_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/vid_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
