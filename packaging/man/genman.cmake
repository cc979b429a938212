# Fills a man page template: cmake -DBIN=... -DTEMPLATE=... -DOUTPUT=...
# -DVERSION=...
# -P genman.cmake. @OPTIONS@ becomes the output of
# "gossipd start --help-format man" (generated from the option table, so the
# page cannot drift from the code); the page is then gzip'd as Debian wants.
foreach(var BIN TEMPLATE OUTPUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "genman.cmake: ${var} not set")
  endif()
endforeach()
execute_process(COMMAND ${BIN} start --help-format man
                OUTPUT_VARIABLE OPTIONS ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR OPTIONS STREQUAL "")
  message(FATAL_ERROR "${BIN} start --help-format man failed (${rc}): ${err}")
endif()
# The template has its own OPTIONS heading with prose under it.
string(REGEX REPLACE "^\\.SH OPTIONS\n" "" OPTIONS "${OPTIONS}")
string(REGEX REPLACE "\n$" "" OPTIONS "${OPTIONS}")
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
# configure_file keeps the old time stamp when nothing changed; the build
# must see the page as newer than the binary it came from.
file(TOUCH ${OUTPUT})
execute_process(COMMAND gzip -9nf -k ${OUTPUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${OUTPUT} failed")
endif()
