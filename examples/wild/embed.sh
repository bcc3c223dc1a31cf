# embed.sh FILE: a C array with FILE's bytes.
echo 'const unsigned char asset[] = {'
od -An -v -tx1 "$1" | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1, /g'
echo '};'
echo "const unsigned asset_len = sizeof asset;"
