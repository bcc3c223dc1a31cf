#!/bin/sh
# A program looked up through PATH: the shell tries each directory of PATH
# in turn (execve, ENOENT) before the one that has it. Those failed tries
# are failed look-ups, not programs the job ran: an unchanged copy keeps
# the output, and a program added to an earlier PATH directory, which
# would now run instead, invalidates the job.
. "$(dirname "$0")/lib.sh"; . "$TOP/tests/scenario.sh"
mkdir proj proj/tools
cat > proj/Makefile <<'EOF'
# tools/ first: empty when recorded
export PATH := tools:$(PATH)
all: upper.txt copy.txt
upper.txt: in.txt
	tr a-z A-Z < in.txt > upper.txt
copy.txt: other.in
	cat other.in > copy.txt
EOF
echo 'some text' > proj/in.txt
echo 'other text' > proj/other.in
touch proj/tools/.keep

# An unchanged copy: the failed tries in tools/ were not inputs.
mkdir same && cd same
nothing() { :; }
scenario "$TRASH/proj" nothing
expect_jobs
expect_same
expect_status changed
expect_status affected
cd ..

# tools/tr added: upper.txt's job would run it now.
mkdir shadow && cd shadow
add_tr() {
	printf '#!/bin/sh\nexec /usr/bin/tr a-z b-za\n' > tools/tr
	chmod +x tools/tr
}
scenario "$TRASH/proj" add_tr
expect_jobs "tr a-z A-Z < in.txt > upper.txt"
expect_same
expect_status affected upper.txt
expect_eq "shadowed tr ran" "tpnf ufyu" "$(cat fresh/upper.txt)"
pass
