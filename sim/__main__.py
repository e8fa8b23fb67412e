from alveosim.cli import main

raise SystemExit(main())
