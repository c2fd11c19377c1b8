@{
    Synopsis    = 'Lists the serial ports and says which look like a detector.'
    Description = @'
Get-HaniwersPort lists the serial ports the operating system knows, with PortName, Description, Manufacturer, VendorId, ProductId and SerialNumber where the system tells: on Linux from /sys/class/tty (ttyUSB*, ttyACM*, ttyAMA*, rfcomm*); on Windows from the registry (the COM ports present in HARDWARE\DEVICEMAP\SERIALCOMM, each with its USB, FTDI or Bluetooth device); on macOS the /dev/cu.* call-out devices (not /dev/tty.*, which wait for carrier detect), with USB ids from ioreg. LooksLikeDetector is true for the USB-serial bridges OSECHI boards are built with (Arduino, CH340, FTDI, CP210x, ESP32), never for Bluetooth or a debug console; Qualification says why a port does or does not qualify. -PortName auto picks the one such port, and when there are none or several it lists every port with its reason.

With no serial port at all, or none that looks like a detector with -DetectorOnly, a warning says so and what to check.

Pseudo terminals (such as a socat pty pair) are not listed; give their path to -PortName directly.
'@
    Parameters  = @{
        DetectorOnly = 'Lists only the ports that look like a detector.'
    }
    Inputs      = @()
    Outputs     = @(@{ Type = 'Haniwers.Platform.PortInfo'; Description = 'One object per serial port.' })
    Examples    = @(
        @{
            Title   = 'List the serial ports'
            Code    = 'Get-HaniwersPort | Format-Table PortName, Description, VendorId, ProductId, LooksLikeDetector'
            Remarks = 'Shows every serial port; on a machine without one, nothing.'
        }
        @{
            Title   = 'Find the detector'
            Code    = 'Get-HaniwersPort -DetectorOnly | Select-Object -ExpandProperty PortName'
            Remarks = 'The port name to pass to -PortName, for example /dev/ttyUSB0 or COM3.'
        }
    )
    Notes       = 'On Linux a port needs the dialout group to be opened: sudo usermod -aG dialout $USER, then log in again.'
    Links       = @('Set-HaniwersThreshold')
}
