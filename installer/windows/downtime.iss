; Inno Setup script template for the ward-PC installer. Build on a Windows PC (see docs/windows-build.md):
;   1. pyinstaller installer\downtime.spec   (makes dist\downtime\)
;   2. iscc installer\windows\downtime.iss   (makes Output\DowntimeSetup-<version>.exe)
#define AppName "Downtime continuity toolkit"
#define AppVersion "0.1.0"
#define Publisher "Hospital IT"

[Setup]
AppId={{6F0C2B1E-7D1A-4C55-9E3C-D0E4A1C7B2F5}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher={#Publisher}
DefaultDirName={autopf}\Downtime
DefaultGroupName=Downtime
OutputBaseFilename=DowntimeSetup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
; The data folder holds the encrypted journal: never removed by an uninstall.
UninstallFilesDir={app}\uninstall

[Dirs]
Name: "C:\DowntimeData"; Permissions: users-modify

[Files]
Source: "..\..\dist\downtime\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion
Source: "refresh-snapshot.ps1"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{group}\Downtime (ward)"; Filename: "{app}\downtime.exe"; Parameters: "--home C:\DowntimeData gui"; \
  WorkingDir: "{app}"
Name: "{commondesktop}\Downtime"; Filename: "{app}\downtime.exe"; Parameters: "--home C:\DowntimeData gui"; \
  WorkingDir: "{app}"

[Run]
Filename: "{app}\downtime.exe"; Parameters: "--version"; Flags: runhidden; StatusMsg: "Checking the install..."
