#!/bin/sh
echo "<tag> & ampersand"
printf "tab\there\n"
