# ctest driver: install the built simdnn into a fresh prefix, configure and build the consumer
# project against it with find_package, run it, check its output. Also checks that nothing
# installed refers to xsimd (a build-only dependency users need not have), nor to protobuf or
# ONNX: the core package needs neither, whether or not the build made simdnn::onnx.
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_consumer.cmake needs -D${var}=...")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "step failed (${result}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

run_step(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

file(GLOB_RECURSE installed LIST_DIRECTORIES false "${prefix}/*")
foreach(file IN LISTS installed)
  if(file MATCHES "\\.(hpp|cmake)$")
    file(STRINGS "${file}" hits REGEX "xsimd|protobuf|onnx|ONNX")
    if(hits)
      message(FATAL_ERROR "installed file ${file} refers to xsimd, protobuf or ONNX: ${hits}")
    endif()
  endif()
endforeach()
if(NOT EXISTS "${prefix}/lib/libsimdnn.a" AND NOT EXISTS "${prefix}/lib64/libsimdnn.a"
   AND NOT EXISTS "${prefix}/lib/x86_64-linux-gnu/libsimdnn.a")
  message(FATAL_ERROR "libsimdnn.a was not installed under ${prefix}")
endif()

# The consumer is built with the same compile and link flags as simdnn itself, so a sanitizer
# build of the archive (the asan preset) links into a sanitizer build of the consumer.
run_step(${CMAKE_COMMAND} -S "${SOURCE_DIR}" -B "${WORK_DIR}/build"
         -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release
         "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
         "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}")
run_step(${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run_step("${WORK_DIR}/build/app")
message(STATUS "consumer printed: ${step_output}")
if(NOT step_output MATCHES "gemm=19,22,43,50 sigmoid0=0.5 network=learns version=[0-9]+\\.[0-9]+\\.[0-9]+")
  message(FATAL_ERROR "unexpected consumer output: ${step_output}")
endif()
