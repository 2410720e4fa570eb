from roundupkb.cli.main import main

raise SystemExit(main())
