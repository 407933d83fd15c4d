# Provides the imported target tidelake::arrow: Arrow, Parquet, Acero, Dataset and compute.
#
# A system Arrow (find_package(Arrow)) wins when present. Otherwise we build against the C++
# headers and libraries bundled in the pinned pyarrow wheel that scripts/setup.sh installs into
# .deps/venv; the wheel has no CMake package files, so we locate them ourselves and set an
# RPATH to the wheel's folder so binaries run without LD_LIBRARY_PATH.
find_package(Arrow QUIET CONFIG)
if(Arrow_FOUND)
  find_package(Parquet REQUIRED CONFIG)
  find_package(ArrowDataset REQUIRED CONFIG)
  find_package(ArrowAcero REQUIRED CONFIG)
  add_library(tidelake::arrow INTERFACE IMPORTED)
  set(_tl_arrow_targets Arrow::arrow_shared Parquet::parquet_shared
      ArrowDataset::arrow_dataset_shared ArrowAcero::arrow_acero_shared)
  if(TARGET ArrowCompute::arrow_compute_shared)
    list(APPEND _tl_arrow_targets ArrowCompute::arrow_compute_shared)
  endif()
  target_link_libraries(tidelake::arrow INTERFACE ${_tl_arrow_targets})
  message(STATUS "tidelake: using system Arrow ${Arrow_VERSION}")
  return()
endif()

set(TIDELAKE_PYTHON "${CMAKE_CURRENT_SOURCE_DIR}/.deps/venv/bin/python" CACHE FILEPATH
    "Python interpreter whose pyarrow wheel provides Arrow C++")
if(NOT EXISTS "${TIDELAKE_PYTHON}")
  message(FATAL_ERROR "No system Arrow and no ${TIDELAKE_PYTHON}: run scripts/setup.sh first")
endif()
execute_process(
  COMMAND "${TIDELAKE_PYTHON}" -c
    "import pyarrow as pa; print(pa.get_include()); print(pa.get_library_dirs()[0]); print(pa.__version__)"
  OUTPUT_VARIABLE _tl_pa_out OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _tl_pa_rc)
if(NOT _tl_pa_rc EQUAL 0)
  message(FATAL_ERROR "pyarrow is not importable from ${TIDELAKE_PYTHON}")
endif()
string(REPLACE "\n" ";" _tl_pa_list "${_tl_pa_out}")
list(GET _tl_pa_list 0 TIDELAKE_ARROW_INCLUDE_DIR)
list(GET _tl_pa_list 1 TIDELAKE_ARROW_LIB_DIR)
list(GET _tl_pa_list 2 TIDELAKE_ARROW_VERSION)

add_library(tidelake::arrow INTERFACE IMPORTED)
target_include_directories(tidelake::arrow SYSTEM INTERFACE "${TIDELAKE_ARROW_INCLUDE_DIR}")
foreach(lib arrow_dataset arrow_acero parquet arrow_compute arrow)
  find_library(_tl_lib_${lib} NAMES ${lib} PATHS "${TIDELAKE_ARROW_LIB_DIR}" NO_DEFAULT_PATH)
  if(_tl_lib_${lib})
    target_link_libraries(tidelake::arrow INTERFACE "${_tl_lib_${lib}}")
  elseif(NOT lib STREQUAL "arrow_compute")
    message(FATAL_ERROR "lib${lib}.so not found in ${TIDELAKE_ARROW_LIB_DIR}: "
                        "run pyarrow.create_library_symlinks() (scripts/setup.sh does)")
  endif()
endforeach()
set(CMAKE_BUILD_RPATH "${TIDELAKE_ARROW_LIB_DIR}" PARENT_SCOPE)
set(CMAKE_INSTALL_RPATH "${TIDELAKE_ARROW_LIB_DIR}" PARENT_SCOPE)
set(CMAKE_BUILD_RPATH "${TIDELAKE_ARROW_LIB_DIR}")
message(STATUS "tidelake: using Arrow ${TIDELAKE_ARROW_VERSION} from pyarrow (${TIDELAKE_ARROW_LIB_DIR})")
