# test.nix - the derivations check.sh builds: a plain build of `src`, its
# checkpoint, and an incremental build of `src` from the checkpoint of
# `base`.
{ src, base ? src, ckpt, name ? "project" }:
let
  stdenv = import ./mini-stdenv.nix;
  tools = import ./checkpoint-build.nix { inherit ckpt; };
  project = s: stdenv.mkDerivation { inherit name; src = s; };
  checkpoint = tools.prepareCheckpointBuild (project base);
in {
  plain = project src;
  inherit checkpoint;
  incremental = tools.mkCheckpointBuild (project src) checkpoint;
}
