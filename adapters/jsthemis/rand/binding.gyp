{
  "targets": [
    {
      "target_name": "sealcheck_rand",
      "sources": ["addon.c"],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
