# mini-stdenv.nix - a small stand-in for nixpkgs' stdenv.mkDerivation, for
# the tests only (nixpkgs is not available here): the same phases in a
# shell builder, tools taken from the host by absolute path, and
# overrideAttrs, so that checkpoint-build.nix is exercised as it would be
# on a real stdenv derivation.
let
  mkDerivation = attrs:
    let
      drv = derivation ({
        system = builtins.currentSystem;
        builder = "/bin/sh";
        args = [ ./builder.sh ];
        PATH = "/usr/local/bin:/usr/bin:/bin";
        preBuild = "";
        postBuild = "";
        buildPhase = "make";
        installPhase = "mkdir -p $out && cp -pr . $out/";
      } // removeAttrs attrs [ "overrideAttrs" ]);
    in drv // {
      overrideAttrs = f: mkDerivation (attrs // f attrs);
    };
in { inherit mkDerivation; }
